#ifndef HAPESIRA_CMOSQUITTO_SHIM_H
#define HAPESIRA_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
