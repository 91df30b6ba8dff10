from rest_framework import viewsets
from rest_framework.views import APIView

from meridian.reference.models import Country


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.none()


class RegistryLookupView(APIView):
    pass
