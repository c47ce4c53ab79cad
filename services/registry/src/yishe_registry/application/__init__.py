"""Applications for registration: conditions by kind (REG-1..REG-5, REG-10, REG-12), joint review (REG-9, REG-11),
publicity, the 60-day statutory clock (REG-2), and registration with a USCC."""
