"""The association's impact report: what the timebank did in a period, in counts that name nobody."""
