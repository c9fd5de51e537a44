"""What the tests share: fakes of the messengers, people who chat, the settings and clock the suite runs
with. Test modules import from here (or get fixtures from conftest.py), never from one another."""
