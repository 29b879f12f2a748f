app_name = "windows"

# One block per concern: standards, cases, appointments, complaints, compliance.
urlpatterns = []
