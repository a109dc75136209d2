package org.fhirsnapshot.payload;

import java.io.IOException;

/** A payload reference that the store does not hold. */
public class PayloadNotFoundException extends IOException {

    public PayloadNotFoundException(String ref) {
        super("no payload " + ref);
    }
}
