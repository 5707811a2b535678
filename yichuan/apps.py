from django.apps import AppConfig


class YichuanConfig(AppConfig):
    name = "yichuan"
    verbose_name = "宜起靠谱"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from yichuan import checks  # noqa: F401 - registers the deployment checks
        from yichuan.middleware import stamp_activity_at_login
        from yichuan.senior_mode import remember_at_login

        user_logged_in.connect(stamp_activity_at_login,
                               dispatch_uid="yichuan.stamp_activity_at_login")
        user_logged_in.connect(remember_at_login, dispatch_uid="yichuan.senior_mode_at_login")
