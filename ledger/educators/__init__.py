"""Educators, their licenses and where they work: the API, the teacher's page and the state's search."""
