"""Msgids our apps translate that a third-party catalogue also translates, differently.

Django merges every catalogue into one table per language and the earlier installed app wins, so
django_celery_beat's "Name" (任务名), django-filter's "Filter" (过滤器), DRF's "Key" (键) and others shadowed
our own entries. The project catalogue (LOCALE_PATHS, locale/zh_Hans) is read before every app's, so listing
these msgids here keeps them in it (``make messages`` extracts this file) with our wording. The wording is the
apps' own (tests/test_i18n_catalogues.py keeps the catalogues in agreement); tests/test_catalogue_rendering.py
fails on any entry of ours that renders otherwise, naming the msgid to add here.
"""

from django.utils.translation import gettext_noop

PINNED = [
    gettext_noop("Action"),  # admin log: 动作
    gettext_noop("active"),  # django_celery_beat: 有效
    gettext_noop("Add"),  # admin: 增加
    gettext_noop("Change"),  # admin: 修改
    gettext_noop("Changed"),  # admin log: 已修改
    gettext_noop("Close"),  # admin: 关闭
    gettext_noop("Comment"),  # django_comments-style admin: 备注
    gettext_noop("content"),  # django_celery_beat: 内容主体
    gettext_noop("Filter"),  # django-filter / admin: 过滤器
    gettext_noop("Filters"),  # django-filter: 过滤器
    gettext_noop("group"),  # auth: 组
    gettext_noop("Key"),  # DRF token: 键
    gettext_noop("Minutes"),  # django_celery_beat crontab: 分钟
    gettext_noop("Name"),  # django_celery_beat: 任务名
    gettext_noop("Sessions"),  # django.contrib.sessions: 会话
    gettext_noop("Summary"),  # 概览
    gettext_noop("This field may not be blank."),  # DRF: 该字段不能为空。
    gettext_noop("Token contained no recognizable user identification"),  # simplejwt
    gettext_noop("User is inactive"),  # simplejwt: 该用户已禁用
]
