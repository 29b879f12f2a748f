"""What the browser journeys share: the factories' password and signing in through the
site's own login form."""

PASSWORD = "pw-123456"


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in on /accounts/login/ and wait until the site has sent the person on."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
