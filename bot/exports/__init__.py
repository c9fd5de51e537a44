"""The secretariat's files: a workbook, the "Hương Sen" bulletin, the compilation of reports and the weekly
chart. Shared by the command line and the chat; nothing here knows which of them asked."""
