"""Server-time benchmark of Meridian on a large synthetic data set (`make bench`)."""
