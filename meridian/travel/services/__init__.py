"""Every change to official-travel data, one module per part: trips (the application), publicity, changes,
custody (passports and permits), reports (after return), plans and long stays. Views, the API, background
jobs and the demo data all call these functions."""
