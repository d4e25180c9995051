"""Reports of a run: the requirement table, report.json, JUnit XML, certification package."""
