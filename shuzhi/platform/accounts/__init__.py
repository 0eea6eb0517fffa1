"""Accounts (账户): divisions, departments, people, roles, login protection and API keys."""
