"""信用中国 publication windows (CR-17): how long a listing is shown publicly, kept apart from the list status."""
