"""Reports printed from the sheets: counts only, never anyone's answers."""
