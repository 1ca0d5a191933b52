package dev.cadre.manager;

import com.fasterxml.jackson.databind.JsonNode;

/** A template and its plan (topologies, behaviors, roles, ports...). */
public record TemplateView(String name, String description, JsonNode plan) {}
