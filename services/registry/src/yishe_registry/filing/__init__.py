"""Community social organisations filed (备案) with their township/street (REG-12): a filing number, no USCC."""
