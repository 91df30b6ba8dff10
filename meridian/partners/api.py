from rest_framework import viewsets

from meridian.partners.models import Partner


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Partner.objects.none()
