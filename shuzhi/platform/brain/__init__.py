"""The city brain (城市大脑): indicators, warning rules that open loop tasks, a knowledge graph."""
