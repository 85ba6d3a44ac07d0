"""Reading the spreadsheets people make, defensively: `files` opens any upload (.xlsx, .xlsm,
.xls, .csv in UTF-8 or GBK) as grids; `table` finds the table in them the way ledgers are laid
out; `mapping` describes an unknown header for a person to map; `cells` checks one row's
values with located errors; `templates` writes import templates. No app's tables here."""
