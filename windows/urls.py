from django.urls import path

from windows import views

app_name = "windows"

urlpatterns = [
    # standards
    # cases
    # appointments
    # complaints
    # compliance
]
