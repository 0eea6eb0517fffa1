"""The working-day calendar (工作日历): public holidays and adjusted working days, as data."""
