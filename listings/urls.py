from django.urls import path

from listings import views

app_name = "listings"

urlpatterns = [
    path("mine/", views.my_listings, name="mine"),
    path("attachments/<uuid:key>/", views.attachment_download, name="attachment"),
    path("import/", views.listing_import, name="import"),
    path("import/template/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("<str:kind>/new/", views.listing_create, name="create"),
    path("<str:kind>/<int:pk>/", views.listing_detail, name="detail"),
    path("<str:kind>/<int:pk>/edit/", views.listing_edit, name="edit"),
    path("<str:kind>/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<str:kind>/<int:pk>/interest/", views.express_interest, name="interest"),
    path("<str:kind>/<int:pk>/<str:action>/", views.listing_action, name="action"),
]
