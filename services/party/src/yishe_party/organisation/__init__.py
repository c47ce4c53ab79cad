"""An organisation's Party-building file as a whole: opened at registration (三同步), closed at deregistration, and
the record view composed from record, members and work coverage."""
