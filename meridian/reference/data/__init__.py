"""Reference facts encoded in the project: UN M49 groupings, ISCED-F 2013, EQF."""
