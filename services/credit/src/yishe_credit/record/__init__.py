"""Credit records (CR-4 five classes) with the 5-working-day recording rule (CR-5), and annual-report status."""
