from django.urls import path

from listings import views

app_name = "listings"

urlpatterns = [
    path("mine/", views.my_listings, name="mine"),
]
