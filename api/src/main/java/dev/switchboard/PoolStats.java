package dev.switchboard;

/**
 * A snapshot of a transport's connection pool ({@link Transport#poolStats()}): connections carrying
 * an exchange, connections idle in the pool, and requests waiting for a connection because every
 * one they may use is busy. Read without locking the pool: the three numbers are each exact but may
 * come from moments a little apart.
 *
 * @param leased connections carrying an exchange now
 * @param idle open connections waiting in the pool for the next request
 * @param pending requests waiting for a connection
 */
public record PoolStats(int leased, int idle, int pending) {}
