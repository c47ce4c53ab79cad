"""Party-building money per year and division (PARTY-8 grants and activity funds, PARTY-9 allowances, PARTY-10)."""
