"""矛盾调处: disputes on cases, mediators, sessions, outcomes, the 积案 register and their figures."""
