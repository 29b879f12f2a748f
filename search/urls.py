from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest", views.suggest, name="suggest"),
    path("saved/", views.saved_list, name="saved_list"),
    path("saved/new", views.saved_create, name="saved_create"),
    path("saved/<int:pk>/delete", views.saved_delete, name="saved_delete"),
    path("saved/<int:pk>/toggle", views.saved_toggle, name="saved_toggle"),
]
