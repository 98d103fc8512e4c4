app_name = "iae"

urlpatterns = [
    # -- parcours, sites, CPU (IAE-01..04, IAE-07) --
    # -- skills booklet, exit synthesis, handover (IAE-05, IAE-06) --
    # -- indicators and steering report (IAE-08) --
]
