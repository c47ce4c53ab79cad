"""Open Contracting Data Standard 1.1 export: an immutable release per stage (planning, tender, award, contract,
implementation), release packages, and a compiled record per project."""
