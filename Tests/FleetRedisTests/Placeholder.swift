// placeholder until FleetRedis tests land
