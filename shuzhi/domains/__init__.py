"""Domain applications of the policy (应用). Each uses the platform; none imports another."""
