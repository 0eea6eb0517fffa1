"""Writes of the carbon domain, one module per concern (factors, run, finance): every public
function checks permission and writes an audit entry (tests/test_services_check_permissions)."""
