from rest_framework import viewsets

from meridian.agreements.models import Agreement


class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Agreement.objects.none()
