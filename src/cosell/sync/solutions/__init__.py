"""Partner Central solutions: the catalog (read and cached), and the solutions each opportunity carries."""
