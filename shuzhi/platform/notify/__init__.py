"""Notifications (消息通知): the in-app inbox, e-mail and an SMS adapter."""
