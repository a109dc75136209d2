package org.fhirsnapshot.config.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class FhirSystemRepository implements PanacheRepository<FhirSystemEntity> {
}
