package io.ratatoskr.core;
