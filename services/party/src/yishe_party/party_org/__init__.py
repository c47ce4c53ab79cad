"""Party organisations of social organisations: own or joint (PARTY-1, PARTY-2), officers, terms, dissolution."""
