from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def my_listings(request):
    return render(request, "listings/mine.html", {})
