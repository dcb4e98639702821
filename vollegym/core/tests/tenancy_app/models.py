"""Models that exist only in the test database, to prove the tenancy base on rows that point at each other."""

from django.db import models

from vollegym.core.tenancy import StudioOwned


class Room(StudioOwned):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "tenancy_app"


class Booking(StudioOwned):
    room = models.ForeignKey(Room, on_delete=models.CASCADE)

    class Meta:
        app_label = "tenancy_app"
