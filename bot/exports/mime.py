"""The media types of the files the bot makes, apart from the modules that write them: those load their
format libraries (python-docx, openpyxl), which the bot loads only when it makes a file."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
