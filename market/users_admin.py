"""User management in Wagtail's admin (/admin/users/), fitted to market.User.

Wagtail's stock user forms insist on a first and a last name and know nothing of our `name`
(姓名) and `phone` (手机号) fields. Our users are Chinese and have one full name, so an
operator could not save a user who only has a 姓名. The forms here add `name` and `phone`,
make first/last name optional, and the list shows `name`. The viewset is registered by
market.users_apps.MarketUsersAppConfig, which stands in for "wagtail.users".
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.utils import get_user_display_name
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users

# Model fields of market.User that Wagtail's forms do not cover.
CUSTOM_FIELDS = {"name", "phone"}


def user_display_name(user):
    """The name to show for a user in the admin: 姓名 first, then Wagtail's usual fallback
    (first + last name, then username). market.User.get_full_name is AbstractUser's, which
    ignores `name`, so Wagtail's own helper would show a username for most of our users."""
    name = (getattr(user, "name", "") or "").strip()
    return name or get_user_display_name(user)


class MarketUserFormMixin:
    """What both the create and the edit form change relative to Wagtail's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail declares first/last name as required form fields, although the model allows
        # blanks; Chinese users have one full name, entered as `name` instead.
        for field_name in ("first_name", "last_name"):
            self.fields[field_name].required = False
        self.fields["name"].help_text = _("中文全名，例如“王小明”；“名”和“姓”可留空。")


class MarketUserCreationForm(MarketUserFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        # The fields must be in Meta.fields, not merely declared on the form: a ModelForm only
        # copies Meta.fields onto the instance, so declared-only fields would never be saved.
        fields = UserCreationForm.Meta.fields | CUSTOM_FIELDS


class MarketUserEditForm(MarketUserFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | CUSTOM_FIELDS


class MarketUserIndexView(wagtail_users.IndexView):
    @cached_property
    def columns(self):
        columns = super().columns
        # Keep Wagtail's name column (its link, avatar and buttons) and only change what it
        # reads. The columns are built per view instance, so changing one here is safe.
        for column in columns:
            if column.name == "name":
                column.accessor = user_display_name
        return columns

    @cached_property
    def search_fields(self):
        fields = super().search_fields
        # None means the model is indexed by Wagtail search, which then decides the fields.
        if fields is None:
            return None
        return fields | CUSTOM_FIELDS

    def order_queryset(self, queryset):
        # Sorting by the name column should follow the name it displays.
        if self.ordering == "name":
            return queryset.order_by("name", "last_name", "first_name")
        if self.ordering == "-name":
            return queryset.order_by("-name", "-last_name", "-first_name")
        return super().order_queryset(queryset)


class MarketUserEditView(wagtail_users.EditView):
    def get_page_subtitle(self):
        return user_display_name(self.object)


class MarketUserHistoryView(wagtail_users.HistoryView):
    def get_page_subtitle(self):
        return user_display_name(self.object)


class MarketUserViewSet(wagtail_users.UserViewSet):
    index_view_class = MarketUserIndexView
    edit_view_class = MarketUserEditView
    history_view_class = MarketUserHistoryView

    # Our templates extend Wagtail's and fill its `extra_fields` block. Naming them here,
    # rather than overriding "wagtailusers/users/create.html" itself, leaves Wagtail's
    # templates intact for anything else that renders them.
    create_template_name = "market/users_admin/create.html"
    edit_template_name = "market/users_admin/edit.html"

    def get_form_class(self, for_update=False):
        if for_update:
            return MarketUserEditForm
        return MarketUserCreationForm
