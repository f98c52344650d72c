"""Submissions: an educator reports with evidence; district HR or the state office decides (CONTRACT.md section 7)."""
