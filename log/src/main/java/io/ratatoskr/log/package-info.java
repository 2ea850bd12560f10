package io.ratatoskr.log;
