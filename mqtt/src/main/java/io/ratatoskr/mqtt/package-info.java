package io.ratatoskr.mqtt;
