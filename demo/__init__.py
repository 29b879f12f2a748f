"""A believable demo market in Chinese, built by `manage.py load_demo`."""
