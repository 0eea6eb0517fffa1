"""Public services (公共服务): residents, service items, applications and e-licences."""
